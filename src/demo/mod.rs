//! The bundled demo: an ML web service behind an API gateway, served on
//! loopback so that portico can be tried with no network and no account.
