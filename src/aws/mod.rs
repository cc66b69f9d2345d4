//! Facts about AWS that the compiler needs and that do not change per user.

pub mod regions;
