//! The binary's library half: configuration, the list of modules, opening the platform, and
//! the demo data. The
//! `tamar` binary, the fuzz targets and the binary's tests share it.

pub mod config;
pub mod demo;
pub mod modules;
pub mod platform;
