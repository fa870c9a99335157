#![no_main]
// See src/targets.rs: what this target feeds the engine and which invariants it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| meshverdict_fuzz::targets::fuzz("synthesize", data));
