//go:build linux || darwin

package store

import (
	"errors"
	"syscall"
)

// minFreeBytes is the free space below which a SQLite database is
// reported full before its writes fail: SQLite needs room for its WAL
// (up to about 4 MB before a checkpoint) and for the checkpoint to grow
// the database file.
const minFreeBytes = 1 << 20

// checkSQLiteFiles tells why a SQLite database cannot be written, if the
// operating system can say: the filesystem is (nearly) full, or the
// database file or its WAL is read-only (a read-only mount, or the
// immutable attribute, which binds root too). It returns nil if it finds
// nothing wrong. SQLite itself reports most such faults only as
// SQLITE_IOERR.
func checkSQLiteFiles(path string) error {
	for _, p := range []string{path, path + "-wal"} {
		err := syscall.Access(p, 2 /* W_OK */)
		if errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			return unavailable(msgReadOnly, err)
		}
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(path, &fs); err == nil && uint64(fs.Bavail)*uint64(fs.Bsize) < minFreeBytes {
		return unavailable(msgFull, syscall.ENOSPC)
	}
	return nil
}
