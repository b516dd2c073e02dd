//! EKS
