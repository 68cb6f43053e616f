#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: c169_codec::fuzzing::Credential| c169_codec::fuzzing::roundtrip(input));
