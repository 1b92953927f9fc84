//! curl command lines: export a [`super::BuiltRequest`] with exact POSIX
//! shell quoting, and import one (a browser's "Copy as cURL" included).
