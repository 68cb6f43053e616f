#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: c169_fuzzing::Credential| c169_fuzzing::roundtrip(input));
