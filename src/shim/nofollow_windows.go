package main

import (
	"io/fs"
	"os"
)

// openNoFollow opens name for reading unless it is a symlink. Windows has no
// O_NOFOLLOW for os.OpenFile, so the name is lstat'ed after the open
// succeeded (a missing file, go's miss, costs only the open). Lstat reports a
// symlink as ModeSymlink and (Go 1.23+) other reparse points as ModeIrregular.
func openNoFollow(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	if info, err := os.Lstat(name); err != nil || info.Mode().Type() != 0 {
		f.Close()
		if err == nil {
			err = &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
		}
		return nil, err
	}
	return f, nil
}
