//! The binary's library half: configuration, opening the platform, and the demo data. The
//! `tamar` binary, the fuzz targets and the binary's tests share it.

pub mod config;
pub mod demo;
pub mod platform;
