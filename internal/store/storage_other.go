//go:build !linux && !darwin

package store

// checkSQLiteFiles finds nothing on systems where dueprocess does not ask
// the operating system about free space and read-only files; faults then
// show only as SQLite reports them.
func checkSQLiteFiles(path string) error { return nil }
