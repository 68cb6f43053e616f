// Tests index known-length tables, unwrap on values the test itself built, and keep
// each table whole in one function.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::too_many_lines,
    clippy::panic
)]

use super::{
    adler32, deflate, inflate, HeaderOverride, ZlibEncodeError, ZlibError, ZlibHeader, ZlibOptions,
};
use c169_model::Stage;
use proptest::prelude::*;
use std::io::Read;

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex.replace(' ', "")).unwrap()
}

/// What a standard zlib makes of `stream`.
fn standard_inflate(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(stream).read_to_end(&mut out)?;
    Ok(out)
}

/// A slow, test-only DEFLATE reader written from RFC 1951, to see what zlib's inflaters
/// do not report: the farthest match distance. zlib-rs keeps a 32 KiB window whatever
/// it is told, so it cannot check that a stream keeps to a smaller one.
mod distances {
    struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
    }

    impl Bits<'_> {
        fn bit(&mut self) -> u32 {
            let bit = self.data[self.pos / 8] >> (self.pos % 8) & 1;
            self.pos += 1;
            u32::from(bit)
        }
        /// `n` bits, least significant first (all fields but Huffman codes).
        fn bits(&mut self, n: u32) -> u32 {
            (0..n).fold(0, |v, i| v | self.bit() << i)
        }
        fn align(&mut self) {
            self.pos = self.pos.div_ceil(8) * 8;
        }
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in
    /// code order (by length, then by symbol).
    struct Code {
        counts: [u32; 16],
        symbols: Vec<usize>,
    }

    impl Code {
        fn new(lengths: &[u8]) -> Code {
            let mut counts = [0; 16];
            for &l in lengths.iter().filter(|&&l| l > 0) {
                counts[usize::from(l)] += 1;
            }
            let symbols = (1..16u8)
                .flat_map(|len| (0..lengths.len()).filter(move |&s| lengths[s] == len))
                .collect();
            Code { counts, symbols }
        }

        /// Codes are read most significant bit first; `first` is the first code of
        /// the current length, `index` the first symbol with it.
        fn decode(&self, bits: &mut Bits) -> usize {
            let (mut code, mut first, mut index) = (0u32, 0u32, 0u32);
            for len in 1..16 {
                code |= bits.bit();
                let count = self.counts[len];
                if code < first + count {
                    return self.symbols[(index + code - first) as usize];
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            panic!("no such code");
        }
    }

    const LENGTH_BASE: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LENGTH_EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DIST_BASE: [u32; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DIST_EXTRA: [u32; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];
    /// The order code-length code lengths are sent in (RFC 1951 §3.2.7).
    const CLEN_ORDER: [usize; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];

    fn fixed() -> (Code, Code) {
        let mut lit = [8u8; 288];
        lit[144..256].fill(9);
        lit[256..280].fill(7);
        (Code::new(&lit), Code::new(&[5; 30]))
    }

    fn dynamic(bits: &mut Bits) -> (Code, Code) {
        let hlit = bits.bits(5) as usize + 257;
        let hdist = bits.bits(5) as usize + 1;
        let hclen = bits.bits(4) as usize + 4;
        let mut clens = [0u8; 19];
        for &i in &CLEN_ORDER[..hclen] {
            clens[i] = bits.bits(3) as u8;
        }
        let clen_code = Code::new(&clens);
        let mut lengths = Vec::with_capacity(hlit + hdist);
        while lengths.len() < hlit + hdist {
            match clen_code.decode(bits) {
                l @ 0..=15 => lengths.push(l as u8),
                16 => {
                    let last = *lengths.last().unwrap();
                    let n = 3 + bits.bits(2) as usize;
                    lengths.extend(std::iter::repeat_n(last, n));
                }
                17 => lengths.extend(std::iter::repeat_n(0, 3 + bits.bits(3) as usize)),
                _ => lengths.extend(std::iter::repeat_n(0, 11 + bits.bits(7) as usize)),
            }
        }
        (Code::new(&lengths[..hlit]), Code::new(&lengths[hlit..]))
    }

    /// The data of a raw DEFLATE `body` and the farthest distance a match reached.
    pub fn inflate(body: &[u8]) -> (Vec<u8>, usize) {
        let mut bits = Bits { data: body, pos: 0 };
        let mut out: Vec<u8> = Vec::new();
        let mut farthest = 0;
        loop {
            let last = bits.bit() == 1;
            let (lit, dist) = match bits.bits(2) {
                0 => {
                    bits.align();
                    let len = bits.bits(16) as usize;
                    bits.bits(16);
                    let start = bits.pos / 8;
                    out.extend_from_slice(&body[start..start + len]);
                    bits.pos += len * 8;
                    if last {
                        return (out, farthest);
                    }
                    continue;
                }
                1 => fixed(),
                2 => dynamic(&mut bits),
                _ => panic!("reserved block type"),
            };
            loop {
                let symbol = lit.decode(&mut bits);
                if symbol < 256 {
                    out.push(symbol as u8);
                    continue;
                }
                if symbol == 256 {
                    break;
                }
                let i = symbol - 257;
                let len = (LENGTH_BASE[i] + bits.bits(LENGTH_EXTRA[i])) as usize;
                let d = dist.decode(&mut bits);
                let distance = (DIST_BASE[d] + bits.bits(DIST_EXTRA[d])) as usize;
                farthest = farthest.max(distance);
                for _ in 0..len {
                    out.push(out[out.len() - distance]);
                }
            }
            if last {
                return (out, farthest);
            }
        }
    }
}

/// The farthest match distance in a zlib `stream` without FDICT, after checking that the
/// reference reader agrees on the data.
fn farthest_match(stream: &[u8], data: &[u8]) -> usize {
    let (out, farthest) = distances::inflate(&stream[2..stream.len() - 4]);
    assert_eq!(out, data, "reference reader");
    farthest
}

/// Some text with repeats in it, so that the compressor finds matches at many distances.
fn sample(len: usize) -> Vec<u8> {
    let words: [&[u8]; 6] = [b"claim ", b"169 ", b"MOSIP ", b"qr ", b"\x00\x01", b"zlib "];
    let mut out = Vec::with_capacity(len + 8);
    let mut i = 0usize;
    while out.len() < len {
        out.extend_from_slice(words[i % words.len()]);
        out.push((i * 37 % 251) as u8);
        i += 1;
    }
    out.truncate(len);
    out
}

const LIMIT: usize = 64 * 1024;

/// Valid streams: the data each inflates to and the header fields it declares.
#[test]
fn accepted_streams() {
    // (stream, data, window_bits, flevel)
    let table: &[(&str, &[u8], u8, u8)] = &[
        // zlib.compress(b"abc", 0): FLEVEL 0, one stored block.
        (
            concat!(
                "78 01",        // CM 8, CINFO 7 (32 KiB); FLEVEL 0, FCHECK 1
                "01 0300 fcff", // stored, final; LEN 3, NLEN !3
                "61 62 63",     // "abc"
                "024d0127",     // Adler-32 of "abc"
            ),
            b"abc",
            15,
            0,
        ),
        // zlib.compress(b"abc", 1): FLEVEL 0.
        (
            concat!(
                "78 01",          // CINFO 7, FLEVEL 0
                "4b 4c 4a 06 00", // fixed-Huffman block: a b c, end of block
                "024d0127",       // Adler-32
            ),
            b"abc",
            15,
            0,
        ),
        // The same body under FLEVEL 1 (zlib levels 2 to 5).
        (
            concat!(
                "78 5e",          // CINFO 7, FLEVEL 1, FCHECK 30
                "4b 4c 4a 06 00", // fixed-Huffman a b c
                "024d0127",       // Adler-32
            ),
            b"abc",
            15,
            1,
        ),
        // FLEVEL 2: zlib's default level 6.
        (
            concat!(
                "78 9c",          // CINFO 7, FLEVEL 2, FCHECK 28
                "4b 4c 4a 06 00", // fixed-Huffman a b c
                "024d0127",       // Adler-32
            ),
            b"abc",
            15,
            2,
        ),
        // FLEVEL 3: levels 7 to 9.
        (
            concat!(
                "78 da",          // CINFO 7, FLEVEL 3, FCHECK 26
                "4b 4c 4a 06 00", // fixed-Huffman a b c
                "024d0127",       // Adler-32
            ),
            b"abc",
            15,
            3,
        ),
        // Empty data: one empty fixed block; the Adler-32 of nothing is 1.
        (
            concat!(
                "78 9c",    // CINFO 7, FLEVEL 2
                "03 00",    // fixed block, final, end of block at once
                "00000001", // Adler-32 of ""
            ),
            b"",
            15,
            2,
        ),
        // A match: literal 'a', then length 3 at distance 1.
        (
            concat!(
                "78 9c",       // CINFO 7, FLEVEL 2
                "4b 04 02 00", // fixed: 'a', <3, 1>, end of block
                "03ce0185",    // Adler-32 of "aaaa"
            ),
            b"aaaa",
            15,
            2,
        ),
        // Every window size, CINFO 0 to 7, over the same stored block. A decoder that
        // spots zlib by a 0x78 first byte fails all but the last.
        ("08 1d 01 0300 fcff 616263 024d0127", b"abc", 8, 0), // CINFO 0: 256 B; FCHECK 29
        ("18 19 01 0300 fcff 616263 024d0127", b"abc", 9, 0), // CINFO 1: 512 B; FCHECK 25
        ("28 15 01 0300 fcff 616263 024d0127", b"abc", 10, 0), // CINFO 2: 1 KiB; FCHECK 21
        ("38 11 01 0300 fcff 616263 024d0127", b"abc", 11, 0), // CINFO 3: 2 KiB; FCHECK 17
        ("48 0d 01 0300 fcff 616263 024d0127", b"abc", 12, 0), // CINFO 4: 4 KiB; FCHECK 13
        ("58 09 01 0300 fcff 616263 024d0127", b"abc", 13, 0), // CINFO 5: 8 KiB; FCHECK 9
        ("68 05 01 0300 fcff 616263 024d0127", b"abc", 14, 0), // CINFO 6: 16 KiB; FCHECK 5
        ("78 01 01 0300 fcff 616263 024d0127", b"abc", 15, 0), // CINFO 7: 32 KiB; FCHECK 1
        // Two stored blocks, the first not final.
        (
            concat!(
                "08 1d",        // CINFO 0, FLEVEL 0
                "00 0100 feff", // stored, not final; LEN 1, NLEN !1
                "61",           // "a"
                "01 0200 fdff", // stored, final; LEN 2
                "62 63",        // "bc"
                "024d0127",     // Adler-32 of "abc"
            ),
            b"abc",
            8,
            0,
        ),
    ];
    for &(hex, data, window_bits, flevel) in table {
        let stream = bytes(hex);
        let inflated = inflate(&stream, LIMIT).unwrap_or_else(|e| panic!("{hex}: {e}"));
        assert_eq!(inflated.data, data, "{hex}");
        assert_eq!(
            inflated.header,
            ZlibHeader {
                cmf: stream[0],
                flg: stream[1],
                window_bits,
                flevel
            },
            "{hex}"
        );
        assert_eq!(inflated.adler32, adler32(data), "{hex}");
        assert_eq!(
            standard_inflate(&stream).unwrap(),
            data,
            "standard zlib on {hex}"
        );
    }
}

/// Streams rejected before or after the DEFLATE body, each with its exact error.
#[test]
fn rejected_streams() {
    use ZlibError::{
        BadAdler32, BadCompressionMethod, BadHeaderCheck, BadWindowSize, Empty, OutputTooLarge,
        PresetDictionary, TrailingBytes, TruncatedHeader, TruncatedStream, TruncatedTrailer,
    };
    // (stream, limit, error)
    let table: &[(&str, usize, ZlibError)] = &[
        ("", LIMIT, Empty),
        // Half a header.
        ("78", LIMIT, TruncatedHeader),
        // CM 9 with a right FCHECK: only 8 is DEFLATE.
        (
            "79 94 4b4c4a0600 024d0127",
            LIMIT,
            BadCompressionMethod { cm: 9 },
        ),
        // CM 15 (reserved) under CINFO 7.
        (
            "7f 83 4b4c4a0600 024d0127",
            LIMIT,
            BadCompressionMethod { cm: 15 },
        ),
        // Raw DEFLATE without the wrapper falls out of the header checks: the first
        // byte of a fixed block is read as CMF, CM 11 …
        ("4b4c4a0600", LIMIT, BadCompressionMethod { cm: 11 }),
        // … of a stored block, CM 1 …
        ("01 0300 fcff 616263", LIMIT, BadCompressionMethod { cm: 1 }),
        // … of an empty fixed block, CM 3.
        ("03 00", LIMIT, BadCompressionMethod { cm: 3 }),
        // CINFO 8 (64 KiB window) and 15, each with a right FCHECK.
        (
            "88 98 4b4c4a0600 024d0127",
            LIMIT,
            BadWindowSize { cinfo: 8 },
        ),
        (
            "f8 9b 4b4c4a0600 024d0127",
            LIMIT,
            BadWindowSize { cinfo: 15 },
        ),
        // FCHECK off by one: 0x789d is not a multiple of 31.
        (
            "78 9d 4b4c4a0600 024d0127",
            LIMIT,
            BadHeaderCheck {
                cmf: 0x78,
                flg: 0x9d,
            },
        ),
        (
            "78 00 4b4c4a0600 024d0127",
            LIMIT,
            BadHeaderCheck {
                cmf: 0x78,
                flg: 0x00,
            },
        ),
        // FDICT, FLEVEL 2, right FCHECK, then DICTID (the empty dictionary's Adler-32).
        (
            "78 bb 00000001 4b4c4a0600 024d0127",
            LIMIT,
            PresetDictionary,
        ),
        // FDICT with FLEVEL 3.
        (
            "78 f9 00000001 4b4c4a0600 024d0127",
            LIMIT,
            PresetDictionary,
        ),
        // Header only, no body.
        ("78 9c", LIMIT, TruncatedStream),
        // The fixed block is cut before its end-of-block code.
        ("78 9c 4b4c4a", LIMIT, TruncatedStream),
        // A stored block shorter than its LEN.
        ("78 01 01 0300 fcff 6162", LIMIT, TruncatedStream),
        // A non-final block and nothing after it (a trailer there would be read as
        // the next block).
        ("78 01 00 0300 fcff 616263", LIMIT, TruncatedStream),
        // No trailer at all, then 2 of its 4 bytes.
        ("78 9c 4b4c4a0600", LIMIT, TruncatedTrailer { found: 0 }),
        (
            "78 9c 4b4c4a0600 024d",
            LIMIT,
            TruncatedTrailer { found: 2 },
        ),
        (
            "78 9c 4b4c4a0600 024d0128",
            LIMIT,
            BadAdler32 {
                expected: 0x024d_0128,
                computed: 0x024d_0127,
            },
        ),
        // A trailer written little-endian.
        (
            "78 9c 4b4c4a0600 27014d02",
            LIMIT,
            BadAdler32 {
                expected: 0x2701_4d02,
                computed: 0x024d_0127,
            },
        ),
        // One byte after the trailer: a NUL, as a careless QR producer might add.
        (
            "78 9c 4b4c4a0600 024d0127 00",
            LIMIT,
            TrailingBytes { count: 1 },
        ),
        // Two whole streams: the text must be exactly one.
        (
            "78 9c 4b4c4a0600 024d0127 78 9c 4b4c4a0600 024d0127",
            LIMIT,
            TrailingBytes { count: 11 },
        ),
        // Three bytes of data against a limit of 2.
        ("78 9c 4b4c4a0600 024d0127", 2, OutputTooLarge { limit: 2 }),
        ("78 9c 4b4c4a0600 024d0127", 0, OutputTooLarge { limit: 0 }),
    ];
    for (hex, limit, expected) in table {
        let stream = bytes(hex);
        assert_eq!(inflate(&stream, *limit).as_ref(), Err(expected), "{hex}");
    }
}

/// Malformed DEFLATE bodies inside a good header: the variant, and zlib's reason.
#[test]
fn invalid_deflate_bodies() {
    // (stream, reason)
    let table: &[(&str, &str)] = &[
        // BFINAL 1, BTYPE 11: the reserved block type.
        ("78 9c 07 0000 024d0127", "invalid block type"),
        // Stored block whose NLEN is not the complement of LEN.
        (
            "78 01 01 0300 0000 616263 024d0127",
            "invalid stored block lengths",
        ),
        // Dynamic block with HLIT 31: 288 literal/length codes, above the 286 allowed.
        ("78 9c fd ff ff", "too many length or distance symbols"),
        // Dynamic block, HLIT 0, HDIST 0, HCLEN 0; the four code-length codes all get
        // length 1, which over-subscribes the code.
        ("78 9c 05 00 92 04", "invalid code lengths set"),
        // Fixed block with literal/length symbol 286, which has a code but no meaning.
        ("78 9c 1b 03", "invalid literal/length code"),
        // Fixed block: 'a', then a match with distance symbol 30, also meaningless.
        ("78 9c 4b 04 3e 00 03ce0185", "invalid distance code"),
        // Fixed block: 'a', then a match at distance 2 with one byte written.
        (
            "78 9c 4b 04 42 00 03ce0185",
            "invalid distance too far back",
        ),
    ];
    for (hex, reason) in table {
        let stream = bytes(hex);
        match inflate(&stream, LIMIT) {
            Err(ZlibError::InvalidDeflate {
                offset,
                reason: got,
            }) => {
                assert_eq!(got, *reason, "{hex}");
                assert!(
                    (2..=stream.len()).contains(&offset),
                    "{hex}: offset {offset}"
                );
            }
            other => panic!("{hex}: {other:?}"),
        }
        assert!(
            standard_inflate(&stream).is_err(),
            "standard zlib accepts {hex}"
        );
    }
}

#[test]
fn codes_and_stages() {
    let table: &[(ZlibError, &str, Stage)] = &[
        (ZlibError::Empty, "zlib.empty", Stage::Zlib),
        (
            ZlibError::TruncatedHeader,
            "zlib.truncated_header",
            Stage::Zlib,
        ),
        (
            ZlibError::BadCompressionMethod { cm: 9 },
            "zlib.bad_compression_method",
            Stage::Zlib,
        ),
        (
            ZlibError::BadWindowSize { cinfo: 8 },
            "zlib.bad_window_size",
            Stage::Zlib,
        ),
        (
            ZlibError::BadHeaderCheck { cmf: 0, flg: 0 },
            "zlib.bad_header_check",
            Stage::Zlib,
        ),
        (
            ZlibError::PresetDictionary,
            "zlib.preset_dictionary",
            Stage::Zlib,
        ),
        (
            ZlibError::InvalidDeflate {
                offset: 2,
                reason: "x".to_owned(),
            },
            "zlib.invalid_deflate",
            Stage::Zlib,
        ),
        (
            ZlibError::TruncatedStream,
            "zlib.truncated_stream",
            Stage::Zlib,
        ),
        (
            ZlibError::TruncatedTrailer { found: 0 },
            "zlib.truncated_trailer",
            Stage::Zlib,
        ),
        (
            ZlibError::BadAdler32 {
                expected: 0,
                computed: 1,
            },
            "zlib.bad_adler32",
            Stage::Zlib,
        ),
        (
            ZlibError::TrailingBytes { count: 1 },
            "zlib.trailing_bytes",
            Stage::Zlib,
        ),
        (
            ZlibError::OutputTooLarge { limit: 1 },
            "limit.decompressed_size",
            Stage::Limit,
        ),
    ];
    for (error, code, stage) in table {
        assert_eq!(error.code(), *code);
        assert_eq!(error.stage(), *stage, "{code}");
    }
}

#[test]
fn adler32_known_values() {
    let table: &[(&[u8], u32)] = &[
        (b"", 0x0000_0001),
        (b"a", 0x0062_0062),
        (b"abc", 0x024d_0127),
        (b"Wikipedia", 0x11e6_0398),
    ];
    for &(data, sum) in table {
        assert_eq!(adler32(data), sum, "{data:?}");
    }
    // Sums large enough to wrap modulo 65521 many times.
    let ones = vec![0xFF; 100_000];
    let mut a: u64 = 1;
    let mut b: u64 = 0;
    for &x in &ones {
        a = (a + u64::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    assert_eq!(adler32(&ones), (b << 16 | a) as u32);
}

/// Cutting a valid stream anywhere gives the error for what is missing, never a panic.
#[test]
fn truncation_at_every_offset() {
    let data = sample(3000);
    for options in [
        ZlibOptions::default(),
        ZlibOptions {
            level: 0,
            ..ZlibOptions::default()
        },
        ZlibOptions {
            level: 9,
            window_bits: 9,
            ..ZlibOptions::default()
        },
    ] {
        let stream = deflate(&data, &options).unwrap();
        let trailer = stream.len() - 4;
        for cut in 0..stream.len() {
            let got = inflate(&stream[..cut], LIMIT);
            let expected = match cut {
                0 => ZlibError::Empty,
                1 => ZlibError::TruncatedHeader,
                _ if cut < trailer => ZlibError::TruncatedStream,
                _ => ZlibError::TruncatedTrailer {
                    found: cut - trailer,
                },
            };
            assert_eq!(got, Err(expected), "{options:?} cut at {cut}");
        }
        assert_eq!(inflate(&stream, LIMIT).unwrap().data, data);
    }
}

/// Exactly the limit is accepted; one byte more is a limit breach, whatever the
/// size relative to the inflater's first buffer.
#[test]
fn output_limit_boundary() {
    for len in [0, 1, 2, 255, 1023, 1024, 1025, 4096, 4097, 20_000, 65_536] {
        let data = sample(len);
        for level in [0, 6] {
            let stream = deflate(
                &data,
                &ZlibOptions {
                    level,
                    ..ZlibOptions::default()
                },
            )
            .unwrap();
            assert_eq!(
                inflate(&stream, len).unwrap().data,
                data,
                "{len} bytes, limit {len}"
            );
            assert_eq!(inflate(&stream, len + 1).unwrap().data, data, "{len} bytes");
            if len > 0 {
                assert_eq!(
                    inflate(&stream, len - 1),
                    Err(ZlibError::OutputTooLarge { limit: len - 1 }),
                    "{len} bytes, limit {}",
                    len - 1
                );
            }
        }
    }
    // A limit that cannot be exceeded by one byte more does not overflow.
    let stream = deflate(b"abc", &ZlibOptions::default()).unwrap();
    assert_eq!(inflate(&stream, usize::MAX).unwrap().data, b"abc");
}

/// 1 MiB of zeros compresses to about a kilobyte; with a 64 KiB limit the inflater stops
/// at the limit instead of producing it.
#[test]
fn zip_bomb() {
    let zeros = vec![0u8; 1 << 20];
    let stream = deflate(
        &zeros,
        &ZlibOptions {
            level: 9,
            ..ZlibOptions::default()
        },
    )
    .unwrap();
    assert!(stream.len() < 2048, "{} bytes", stream.len());
    assert_eq!(
        inflate(&stream, LIMIT),
        Err(ZlibError::OutputTooLarge { limit: LIMIT })
    );
    assert_eq!(inflate(&stream, 1 << 20).unwrap().data, zeros);
}

/// Header bytes by level: zlib's FLEVEL mapping, under a 32 KiB window.
#[test]
fn deflate_headers() {
    // (level, CMF FLG)
    let table: &[(u8, &str)] = &[
        (0, "78 01"), // stored; FLEVEL 0
        (1, "78 01"), // FLEVEL 0: fastest
        (2, "78 5e"), // FLEVEL 1: fast
        (5, "78 5e"),
        (6, "78 9c"), // FLEVEL 2: default
        (7, "78 da"), // FLEVEL 3: maximum
        (9, "78 da"),
    ];
    for &(level, header) in table {
        let stream = deflate(
            b"abc",
            &ZlibOptions {
                level,
                ..ZlibOptions::default()
            },
        )
        .unwrap();
        assert_eq!(stream[..2], bytes(header), "level {level}");
    }
    assert_eq!(ZlibOptions::default().level, 6);
    assert_eq!(ZlibOptions::default().window_bits, 15);
}

/// Fixed outputs: the bytes must not change between runs or machines.
#[test]
fn deflate_golden() {
    let table: &[(&[u8], ZlibOptions, &str)] = &[
        (
            b"abc",
            ZlibOptions::default(),
            concat!(
                "78 9c",          // CINFO 7, FLEVEL 2
                "4b 4c 4a 06 00", // fixed-Huffman a b c, end of block
                "024d0127",       // Adler-32
            ),
        ),
        (
            b"abc",
            ZlibOptions {
                level: 0,
                window_bits: 8,
                ..ZlibOptions::default()
            },
            concat!(
                "08 1d",        // CINFO 0, FLEVEL 0
                "01 0300 fcff", // stored, final, LEN 3
                "616263",       // "abc"
                "024d0127",     // Adler-32
            ),
        ),
        (
            b"",
            ZlibOptions {
                level: 0,
                ..ZlibOptions::default()
            },
            concat!(
                "78 01",        // CINFO 7, FLEVEL 0
                "01 0000 ffff", // stored, final, LEN 0
                "00000001",     // Adler-32 of ""
            ),
        ),
        (
            b"abc",
            ZlibOptions {
                header: HeaderOverride {
                    fdict: true,
                    ..HeaderOverride::default()
                },
                ..ZlibOptions::default()
            },
            concat!(
                "78 bb",          // FLEVEL 2, FDICT, FCHECK 27
                "00000001",       // DICTID: the Adler-32 of an empty dictionary
                "4b 4c 4a 06 00", // body
                "024d0127",       // Adler-32
            ),
        ),
        (
            b"abc",
            ZlibOptions {
                header: HeaderOverride {
                    break_check: true,
                    ..HeaderOverride::default()
                },
                ..ZlibOptions::default()
            },
            concat!(
                "78 9d",          // FCHECK 29 instead of 28
                "4b 4c 4a 06 00", // body
                "024d0127",       // Adler-32
            ),
        ),
    ];
    for (data, options, hex) in table {
        assert_eq!(deflate(data, options).unwrap(), bytes(hex), "{options:?}");
    }
    let data = sample(10_000);
    let first = deflate(&data, &ZlibOptions::default()).unwrap();
    assert_eq!(deflate(&data, &ZlibOptions::default()).unwrap(), first);
}

/// Every window size and level: the header says the window, our inflate and a standard
/// zlib both get the data back.
#[test]
fn every_window_and_level() {
    for window_bits in 8..=15u8 {
        for level in 0..=9u8 {
            for len in [0, 1, 100, 256, 257, 5000, 70_000] {
                let data = sample(len);
                let options = ZlibOptions {
                    level,
                    window_bits,
                    ..ZlibOptions::default()
                };
                let stream = deflate(&data, &options).unwrap();
                assert_eq!(stream[0] >> 4, window_bits - 8, "{options:?} {len}");
                let inflated = inflate(&stream, 1 << 20).unwrap();
                assert_eq!(inflated.data, data, "{options:?} {len}");
                assert_eq!(inflated.header.window_bits, window_bits);
                assert_eq!(
                    standard_inflate(&stream).unwrap(),
                    data,
                    "{options:?} {len}"
                );
                let farthest = farthest_match(&stream, &data);
                assert!(
                    farthest <= 1 << window_bits,
                    "{options:?} {len}: {farthest}"
                );
            }
        }
    }
}

/// The distance check above does see a match beyond a small window: 600 noisy bytes twice,
/// under a 32 KiB window, copy the second half from 600 bytes back.
#[test]
fn window_check_catches_far_matches() {
    let mut x = 1u32;
    let noise: Vec<u8> = (0..600)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    let data = [noise.as_slice(), noise.as_slice()].concat();
    let stream = deflate(&data, &ZlibOptions::default()).unwrap();
    assert!(stream.len() < 700, "{} bytes", stream.len());
    assert_eq!(farthest_match(&stream, &data), 600);
    // Under a 512-byte window the same data is compressed without that match.
    let options = ZlibOptions {
        window_bits: 9,
        ..ZlibOptions::default()
    };
    let narrow = deflate(&data, &options).unwrap();
    assert!(farthest_match(&narrow, &data) <= 512);
    assert!(narrow.len() > 1000, "{} bytes", narrow.len());
    // Our inflate, like zlib, does not hold a stream to its declared window.
    let header = HeaderOverride {
        cinfo: Some(1),
        ..HeaderOverride::default()
    };
    let understated = deflate(
        &data,
        &ZlibOptions {
            header,
            ..ZlibOptions::default()
        },
    )
    .unwrap();
    assert_eq!(inflate(&understated, LIMIT).unwrap().data, data);
}

/// A 256-byte window with more than 256 bytes of input falls back to stored blocks;
/// a zlib decoder bound to that window would reject a farther match.
#[test]
fn window_8_long_input_is_stored() {
    let data = sample(1000);
    let options = ZlibOptions {
        level: 9,
        window_bits: 8,
        ..ZlibOptions::default()
    };
    let stream = deflate(&data, &options).unwrap();
    assert_eq!(
        stream[..7],
        bytes(concat!(
            "08 1d",        // CINFO 0; FLEVEL 0, as for the stored level
            "01 e803 17fc", // stored, final, LEN 1000
        ))
    );
    assert_eq!(stream.len(), 2 + 5 + 1000 + 4);
    // Up to 256 bytes the compressor is used: every distance fits the window.
    let short = deflate(&sample(256), &options).unwrap();
    assert!(short.len() < 2 + 5 + 256 + 4);
    assert_eq!(short[..2], bytes("08 d7")); // CINFO 0; FLEVEL 3, FCHECK 23
}

/// Stored blocks split at 65535 bytes, the largest LEN.
#[test]
fn stored_blocks_split() {
    let data = sample(65_535 * 2 + 10);
    let stream = deflate(
        &data,
        &ZlibOptions {
            level: 0,
            ..ZlibOptions::default()
        },
    )
    .unwrap();
    let block = 5 + 65_535;
    assert_eq!(stream[2..7], bytes("00 ffff 0000")); // not final, LEN 65535
    assert_eq!(stream[2 + block..7 + block], bytes("00 ffff 0000")); // not final
    assert_eq!(stream[2 + 2 * block..7 + 2 * block], bytes("01 0a00 f5ff")); // final, LEN 10
    assert_eq!(inflate(&stream, data.len()).unwrap().data, data);
    assert_eq!(standard_inflate(&stream).unwrap(), data);
}

/// Header overrides give the broken vectors their exact rejection.
#[test]
fn header_overrides() {
    let data = b"abc";
    let broken = |header: HeaderOverride| {
        let stream = deflate(
            data,
            &ZlibOptions {
                header,
                ..ZlibOptions::default()
            },
        )
        .unwrap();
        // Each stream's FCHECK is right unless asked otherwise.
        inflate(&stream, LIMIT)
    };
    assert_eq!(
        broken(HeaderOverride {
            cm: Some(7),
            ..HeaderOverride::default()
        }),
        Err(ZlibError::BadCompressionMethod { cm: 7 })
    );
    assert_eq!(
        broken(HeaderOverride {
            cm: Some(15),
            ..HeaderOverride::default()
        }),
        Err(ZlibError::BadCompressionMethod { cm: 15 })
    );
    for cinfo in 8..=15 {
        assert_eq!(
            broken(HeaderOverride {
                cinfo: Some(cinfo),
                ..HeaderOverride::default()
            }),
            Err(ZlibError::BadWindowSize { cinfo })
        );
    }
    assert_eq!(
        broken(HeaderOverride {
            fdict: true,
            ..HeaderOverride::default()
        }),
        Err(ZlibError::PresetDictionary)
    );
    assert_eq!(
        broken(HeaderOverride {
            break_check: true,
            ..HeaderOverride::default()
        }),
        Err(ZlibError::BadHeaderCheck {
            cmf: 0x78,
            flg: 0x9d
        })
    );
    // Every header can have its check broken, including one whose right FCHECK is 0
    // (where 31 would also be right).
    for cmf in [0x08u8, 0x78, 0x88, 0x7f] {
        for flevel in 0..=3 {
            for fdict in [false, true] {
                let header = HeaderOverride {
                    cm: Some(cmf & 0x0F),
                    cinfo: Some(cmf >> 4),
                    fdict,
                    flevel: Some(flevel),
                    break_check: true,
                };
                let stream = deflate(
                    data,
                    &ZlibOptions {
                        header,
                        ..ZlibOptions::default()
                    },
                );
                let stream = stream.unwrap();
                assert_ne!((u16::from(stream[0]) << 8 | u16::from(stream[1])) % 31, 0);
            }
        }
    }
    // FLEVEL is informative: any value is accepted and reported.
    for flevel in 0..=3 {
        let header = HeaderOverride {
            flevel: Some(flevel),
            ..HeaderOverride::default()
        };
        assert_eq!(broken(header).unwrap().header.flevel, flevel);
    }
    // A header that understates the window is not caught: as in zlib, CINFO is not
    // enforced against distances (here there are none above 3 anyway).
    assert_eq!(
        broken(HeaderOverride {
            cinfo: Some(0),
            ..HeaderOverride::default()
        })
        .unwrap()
        .data,
        data
    );
}

#[test]
fn bad_options() {
    let bad = |options: ZlibOptions| deflate(b"abc", &options).unwrap_err();
    assert_eq!(
        bad(ZlibOptions {
            level: 10,
            ..ZlibOptions::default()
        }),
        ZlibEncodeError::BadLevel { level: 10 }
    );
    for window_bits in [0, 7, 16, 255] {
        assert_eq!(
            bad(ZlibOptions {
                window_bits,
                ..ZlibOptions::default()
            }),
            ZlibEncodeError::BadWindowBits { window_bits }
        );
    }
    let over = |header: HeaderOverride| {
        bad(ZlibOptions {
            header,
            ..ZlibOptions::default()
        })
    };
    assert_eq!(
        over(HeaderOverride {
            cm: Some(16),
            ..HeaderOverride::default()
        }),
        ZlibEncodeError::OverrideOutOfRange {
            field: "cm",
            value: 16,
            max: 15
        }
    );
    assert_eq!(
        over(HeaderOverride {
            cinfo: Some(16),
            ..HeaderOverride::default()
        }),
        ZlibEncodeError::OverrideOutOfRange {
            field: "cinfo",
            value: 16,
            max: 15
        }
    );
    let error = over(HeaderOverride {
        flevel: Some(4),
        ..HeaderOverride::default()
    });
    assert_eq!(
        error,
        ZlibEncodeError::OverrideOutOfRange {
            field: "flevel",
            value: 4,
            max: 3
        }
    );
    assert_eq!(error.code(), "zlib_encode.override_out_of_range");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn round_trip(
        data in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2048),
            // Small alphabets compress, and exercise matches at every distance.
            proptest::collection::vec(0u8..4, 0..4096),
        ],
        level in 0u8..=9,
        window_bits in 8u8..=15,
        flevel in proptest::option::of(0u8..=3),
    ) {
        let header = HeaderOverride { flevel, ..HeaderOverride::default() };
        let options = ZlibOptions { level, window_bits, header };
        let stream = deflate(&data, &options).unwrap();
        let inflated = inflate(&stream, data.len()).unwrap();
        prop_assert_eq!(&inflated.data, &data);
        prop_assert_eq!(inflated.header.window_bits, window_bits);
        prop_assert_eq!(inflated.adler32, adler32(&data));
        prop_assert_eq!(&standard_inflate(&stream).unwrap(), &data);
        prop_assert!(farthest_match(&stream, &data) <= 1 << window_bits);
    }

    #[test]
    fn inflate_never_panics(input in proptest::collection::vec(any::<u8>(), 0..512),
                            limit in 0usize..4096) {
        let _ = inflate(&input, limit);
    }

    /// Valid streams with one byte changed reach deep into the inflater.
    #[test]
    fn inflate_never_panics_on_damaged_streams(
        data in proptest::collection::vec(0u8..8, 0..600),
        level in 0u8..=9,
        position in any::<prop::sample::Index>(),
        xor in 1u8..=255,
        limit in 0usize..1024,
    ) {
        let mut stream = deflate(&data, &ZlibOptions { level, ..ZlibOptions::default() }).unwrap();
        let at = position.index(stream.len());
        stream[at] ^= xor;
        if let Ok(inflated) = inflate(&stream, limit) {
            prop_assert!(inflated.data.len() <= limit);
            prop_assert_eq!(inflated.adler32, adler32(&inflated.data));
        }
    }
}
