#ifndef HR_SQLITE_PROCESS_H
#define HR_SQLITE_PROCESS_H

/// Turns off SQLite's count of the memory it allocates, which takes a process-wide mutex around
/// every allocation; no tool reads the count. Returns SQLite's result code: SQLITE_MISUSE once
/// SQLite is initialised, when the setting can no longer change.
int hr_sqlite_disable_memory_statistics(void);

#endif
