// Tests index known-length tables, unwrap on values the test itself built, and keep
// each table whole in one function.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::too_many_lines
)]

use super::{decode, encode, Base45Error, ALPHABET};
use proptest::prelude::*;

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace(' ', "")).unwrap()
}

/// Texts and the bytes they stand for; each row decodes to its bytes and encodes back.
#[test]
fn valid_texts() {
    let table: &[(&str, &str)] = &[
        // Empty text, empty bytes.
        ("", ""),
        // RFC 9285 §4.3: "AB" = 0x4142 = 16706 = 41 + 45·11 + 2025·8 → B B 8.
        ("4142", "BB8"),
        // RFC 9285 §4.3: "Hello!!".
        (
            concat!(
                "4865", // "He" → %69
                "6c6c", // "ll" → ␠VD
                "6f21", // "o!" → 92E
                "21",   // "!" (final byte, pair) → X0
            ),
            "%69 VD92EX0",
        ),
        // RFC 9285 §4.3: "base-45".
        (
            concat!(
                "6261", // "ba" → UJC
                "7365", // "se" → LQE
                "2d34", // "-4" → 7W5
                "35",   // "5" → 81
            ),
            "UJCLQE7W581",
        ),
        // RFC 9285 §4.4: "ietf!".
        (
            concat!(
                "6965", // "ie" → QED
                "7466", // "tf" → 8WE
                "21",   // "!" → X0
            ),
            "QED8WEX0",
        ),
        // Smallest and largest triplet.
        ("0000", "000"),
        ("ffff", "FGW"), // 65535 = 15 + 45·16 + 2025·32
        // Smallest and largest final pair.
        ("00", "00"),
        ("ff", "U5"), // 255 = 30 + 45·5
        // Space is a symbol (value 36), not whitespace: 0x0678 = 1656 = 36 + 45·36 + 2025·0.
        ("0678", "  0"),
        // A triplet then a pair.
        (
            concat!(
                "ffff", // FGW
                "00",   // 00
            ),
            "FGW00",
        ),
    ];
    for &(hex, text) in table {
        let data = bytes(hex);
        assert_eq!(decode(text), Ok(data.clone()), "decode {text:?}");
        assert_eq!(encode(&data), text, "encode {hex}");
    }
}

/// Texts the decoder rejects, each with the exact fault it must name.
#[test]
fn rejected_texts() {
    use Base45Error::{DanglingCharacter, InvalidCharacter, PairOverflow, TripletOverflow};
    let table: &[(&str, Base45Error)] = &[
        // Lowercase is not folded.
        (
            "bb8",
            InvalidCharacter {
                position: 0,
                character: 'b',
            },
        ),
        (
            "BB8%69 vD9",
            InvalidCharacter {
                position: 7,
                character: 'v',
            },
        ),
        // No padding symbol.
        (
            "BB8=",
            InvalidCharacter {
                position: 3,
                character: '=',
            },
        ),
        // Line ends are not trimmed, wherever they are.
        (
            "BB8\n",
            InvalidCharacter {
                position: 3,
                character: '\n',
            },
        ),
        (
            "BB8\r\n",
            InvalidCharacter {
                position: 3,
                character: '\r',
            },
        ),
        (
            "\nBB8",
            InvalidCharacter {
                position: 0,
                character: '\n',
            },
        ),
        (
            "B\tB8",
            InvalidCharacter {
                position: 1,
                character: '\t',
            },
        ),
        // NUL.
        (
            "BB\0",
            InvalidCharacter {
                position: 2,
                character: '\0',
            },
        ),
        // Non-ASCII: the position counts characters (here it equals the byte offset,
        // since everything before the fault is ASCII), the character is the whole one.
        (
            "BB8é",
            InvalidCharacter {
                position: 3,
                character: 'é',
            },
        ),
        (
            "BB8BB€",
            InvalidCharacter {
                position: 5,
                character: '€',
            },
        ),
        (
            "ü",
            InvalidCharacter {
                position: 0,
                character: 'ü',
            },
        ),
        // Punctuation outside the alphabet.
        (
            "BB#",
            InvalidCharacter {
                position: 2,
                character: '#',
            },
        ),
        // The first fault in reading order wins: the bad character comes before the
        // dangling length.
        (
            "BB8a",
            InvalidCharacter {
                position: 3,
                character: 'a',
            },
        ),
        // An invalid character inside a triplet that would overflow is reported as such.
        (
            "GG~",
            InvalidCharacter {
                position: 2,
                character: '~',
            },
        ),
        // Triplet overflow: 65536 = 16 + 45·16 + 2025·32 (GGW); FGW = 65535 is the largest.
        (
            "GGW",
            TripletOverflow {
                position: 0,
                value: 65_536,
            },
        ),
        (
            "BB8GGW",
            TripletOverflow {
                position: 3,
                value: 65_536,
            },
        ),
        // ":::" = 44·(1 + 45 + 2025), the largest a triplet can spell.
        (
            ":::",
            TripletOverflow {
                position: 0,
                value: 91_124,
            },
        ),
        // The triplet fault comes before the dangling length.
        (
            "GGW0",
            TripletOverflow {
                position: 0,
                value: 65_536,
            },
        ),
        // Dangling single symbol: length ≡ 1 (mod 3).
        (
            "0",
            DanglingCharacter {
                position: 0,
                length: 1,
            },
        ),
        (
            "BB80",
            DanglingCharacter {
                position: 3,
                length: 4,
            },
        ),
        (
            "BB8BB8 ",
            DanglingCharacter {
                position: 6,
                length: 7,
            },
        ),
        // Final pair overflow: V5 = 31 + 45·5 = 256; U5 = 255 is the largest.
        (
            "V5",
            PairOverflow {
                position: 0,
                value: 256,
            },
        ),
        (
            "BB8V5",
            PairOverflow {
                position: 3,
                value: 256,
            },
        ),
        // "::" = 44 + 45·44 = 2024.
        (
            "::",
            PairOverflow {
                position: 0,
                value: 2024,
            },
        ),
    ];
    for (text, expected) in table {
        assert_eq!(decode(text).as_ref(), Err(expected), "decode {text:?}");
    }
}

/// Each rejection has its own stable code.
#[test]
fn codes() {
    let table = [
        ("bb8", "base45.invalid_character"),
        ("GGW", "base45.triplet_overflow"),
        ("0", "base45.dangling_character"),
        ("V5", "base45.pair_overflow"),
    ];
    for (text, code) in table {
        assert_eq!(decode(text).unwrap_err().code(), code, "{text:?}");
    }
}

/// Every symbol in every place a symbol can stand: first, middle and last of a
/// triplet, first and last of a final pair, and at the start, middle and end of a text.
#[test]
fn every_symbol_in_every_position() {
    for (v, &sym) in ALPHABET.iter().enumerate() {
        let s = char::from(sym);
        let v = v as u32;
        let be = |n: u32| vec![(n >> 8) as u8, n as u8];

        // First of a triplet (and of the text): n = v.
        assert_eq!(decode(&format!("{s}00")), Ok(be(v)), "{s:?} first");
        // Middle of a triplet: n = 45v.
        assert_eq!(
            decode(&format!("0000{s}0000")),
            Ok([be(0), be(45 * v), be(0)].concat())
        );
        // Last of a triplet: n = 2025v, which fits 16 bits only for v ≤ 32 ('W').
        let last = decode(&format!("00{s}"));
        if v <= 32 {
            assert_eq!(last, Ok(be(2025 * v)), "{s:?} last of triplet");
        } else {
            let err = Base45Error::TripletOverflow {
                position: 0,
                value: 2025 * v,
            };
            assert_eq!(last, Err(err), "{s:?} last of triplet");
        }
        // First of a final pair: n = v.
        assert_eq!(
            decode(&format!("000{s}0")),
            Ok(vec![0, 0, v as u8]),
            "{s:?} pair first"
        );
        // Last of a final pair (and of the text): n = 45v, a byte only for v ≤ 5.
        let last = decode(&format!("000U{s}"));
        if v <= 5 {
            assert_eq!(last, Ok(vec![0, 0, (30 + 45 * v) as u8]), "{s:?} pair last");
        } else {
            let err = Base45Error::PairOverflow {
                position: 3,
                value: 30 + 45 * v,
            };
            assert_eq!(last, Err(err), "{s:?} pair last");
        }
    }
}

/// Bytes 0..=255 in both places of a pair, through both directions.
#[test]
fn every_byte_round_trips() {
    for a in 0..=255u8 {
        for b in [0u8, 1, 0x7F, 0x80, 0xFF] {
            assert_eq!(decode(&encode(&[a, b])), Ok(vec![a, b]));
            assert_eq!(decode(&encode(&[b, a])), Ok(vec![b, a]));
        }
        assert_eq!(decode(&encode(&[a])), Ok(vec![a]));
    }
}

/// Encoded length: three symbols per pair, two for a final byte.
#[test]
fn encoded_length() {
    for n in 0..16 {
        let text = encode(&vec![0xA5; n]);
        assert_eq!(text.len(), n / 2 * 3 + n % 2 * 2, "{n} bytes");
    }
}

fn base45_symbol() -> impl Strategy<Value = char> {
    proptest::sample::select(ALPHABET.iter().map(|&b| char::from(b)).collect::<Vec<_>>())
}

proptest! {
    #[test]
    fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = encode(&data);
        prop_assert_eq!(decode(&text), Ok(data));
    }

    /// Base45 is a bijection: a text that decodes is the encoding of what it decodes to.
    #[test]
    fn accepted_texts_are_canonical(
        symbols in proptest::collection::vec(base45_symbol(), 0..64)
    ) {
        let text: String = symbols.into_iter().collect();
        if let Ok(data) = decode(&text) {
            prop_assert_eq!(encode(&data), text);
        }
    }

    #[test]
    fn decode_never_panics(text in any::<String>()) {
        let _ = decode(&text);
    }

    /// Near-miss texts: mostly symbols, some lowercase, control and non-ASCII characters.
    #[test]
    fn decode_never_panics_near_misses(
        text in "[0-9A-Z $%*+\\-./:a-z\\n\\r\\t\\x00=é€😀]{0,40}"
    ) {
        match decode(&text) {
            Ok(data) => prop_assert_eq!(encode(&data), text),
            Err(Base45Error::InvalidCharacter { position, character }) => {
                prop_assert_eq!(text.chars().nth(position), Some(character));
                prop_assert!(!ALPHABET.contains(&u8::try_from(u32::from(character)).unwrap_or(0xFF)));
            }
            Err(_) => {}
        }
    }
}
