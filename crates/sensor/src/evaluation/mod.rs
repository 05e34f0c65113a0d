//! `wardwatch eval`'s parts: the ground truth ([`labels`]) and the scoring of alerts against it
//! ([`score`]).

pub mod labels;
pub mod score;
