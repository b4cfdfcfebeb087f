//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// holdInstance takes, without waiting, the exclusive lock on the SQLite
// database's instance file (PATH-workers, beside its -wal and -shm files)
// and keeps it until release. The operating system drops the lock of a
// process that dies, so a held lock means a live process. ok is false
// when another process (or another Store in this one) holds it.
func holdInstance(path string) (release func(), ok bool, err error) {
	f, err := os.OpenFile(path+"-workers", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("store: instance lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("store: instance lock: %w", err)
	}
	return func() { f.Close() }, true, nil
}
