//! Mistakes the types refuse at compile time (trybuild): an attribute converts into a field of
//! its own kind only.

#[test]
fn attributes_only_go_where_their_kind_goes() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
