//! What `cargo xtask regen` writes from the specs' `x-apilogin` extensions. Laid out by regen,
//! not by rustfmt, and not to be edited: change the specs and regenerate.

#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
pub(crate) mod clients;
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
pub(crate) mod kinds;
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
pub(crate) mod descriptions;
