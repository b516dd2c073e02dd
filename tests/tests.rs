//! Toolkit integration tests (one test binary, as ripgrep does).

mod support;

mod blueprints;
mod cli;
mod config_errors;
mod deploy_fakes;
mod deploy_moto;
mod deploy_moto_ecs;
mod diff;
mod oracles;
mod own_app;
mod runbook;
mod scale;
