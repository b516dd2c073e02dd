//! formwork toolkit.
