//! The bindings `wit-bindgen` generates from `wit/`, and [`wit`], every WIT type under one path.

// The generated glue passes flattened records as many arguments.
#![allow(clippy::too_many_arguments)]

wit_bindgen::generate!({
    path: "wit",
    world: "harvest",
    additional_derives: [serde::Serialize, serde::Deserialize],
});

/// Every type of the WIT package, whichever interface defines it.
pub mod wit {
    pub use super::harvest::tools::types::*;
}
