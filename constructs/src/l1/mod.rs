//! Generated L1 resources (filled by formwork-codegen).
