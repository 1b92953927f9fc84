//! Files portico keeps for the user: presets, history and environments,
//! under the user's data directory (or `PORTICO_HOME`), written atomically.
