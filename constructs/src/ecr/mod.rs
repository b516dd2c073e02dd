//! ECR: [`Repository`] for gRPC service images.
//!
//! ```
//! use formwork_constructs::core::{Env, Stack};
//! use formwork_constructs::ecr::{Repository, RepositoryProps, TagMutability};
//! let mut stack = Stack::new("Images", Env::region("eu-west-1")).unwrap();
//! let props = RepositoryProps { repository_name: Some("greeter".into()), ..RepositoryProps::default() };
//! let repo = Repository::new(&mut stack.root(), "Greeter", props).unwrap();
//! assert_eq!(repo.logical_id(), "Greeter");
//! ```

mod repository;

pub use repository::{
    Repository, RepositoryEncryption, RepositoryHandle, RepositoryProps, TagMutability,
    repository_arn, valid_repository_name,
};
