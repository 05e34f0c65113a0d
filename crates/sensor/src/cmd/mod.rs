//! One module per subcommand, each a thin orchestrator.

pub mod run;
