//! Errors raised while building or rendering stacks. Each names the construct path or the
//! stack and logical id it concerns.

/// An error from the construct core or an L2 constructor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A construct refused its input (an invariant of its props).
    #[error("{path}: {message}")]
    Construct {
        /// Full construct path, stack name first.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Two construct paths give the same logical id.
    #[error(
        "stack {stack}: logical id `{id}` of `{second}` collides with `{first}`; rename one of the constructs or give one an explicit logical id"
    )]
    IdCollision {
        /// Stack name.
        stack: String,
        /// The logical id both paths map to.
        id: String,
        /// The path that claimed it first.
        first: String,
        /// The path that collided.
        second: String,
    },
    /// A sibling id is used twice.
    #[error("stack {stack}: construct path `{path}` is used twice; sibling ids must be unique")]
    DuplicateId {
        /// Stack name.
        stack: String,
        /// The path that is used twice.
        path: String,
    },
    /// An id does not follow the naming rules.
    #[error("{path}: invalid id `{id}`: {reason}")]
    InvalidId {
        /// Parent path.
        path: String,
        /// The offending id.
        id: String,
        /// The rule it breaks.
        reason: String,
    },
    /// A stack-level problem (name, duplicates).
    #[error("stack {stack}: {message}")]
    Stack {
        /// Stack name.
        stack: String,
        /// What is wrong.
        message: String,
    },
    /// A resource could not be rendered.
    #[error("stack {stack}, resource {logical_id}: {message}")]
    Render {
        /// Stack name.
        stack: String,
        /// Logical id.
        logical_id: String,
        /// What failed.
        message: String,
    },
}
