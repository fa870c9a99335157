//! Fuzzing harness for meshverdict: targets, invariants, budgets and a structure-aware
//! input generator. See docs/reliability.md.

// The counting allocator is the one place that needs `unsafe` (GlobalAlloc).
pub mod alloc;
pub mod invariants;
pub mod structured;
pub mod targets;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;
