//! The messages of adapter protocol v1 (see adapters/PROTOCOL.md). To be written.
