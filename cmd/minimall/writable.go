package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// requireWritable refuses to serve from an embedded store whose data or
// keys folder cannot be written (read-only mount, permissions, full
// disk): the server would start, then answer every write 503. A folder
// that does not exist yet is left for sqldb.Open to create.
func (c *Config) requireWritable() error {
	if c.DB != "" {
		return nil // PostgreSQL: the server says whether it takes writes
	}
	if err := probeFolder("data folder", c.DataDir); err != nil {
		return err
	}
	if c.KeysDB != "" {
		return nil
	}
	return probeFolder("keys folder", c.KeysDir)
}

// probeFolder writes, syncs and removes a small file in dir.
func probeFolder(what, dir string) error {
	if !dirExists(dir) {
		return nil
	}
	if err := probeWrite(dir); err != nil {
		cause := err
		var pe *fs.PathError
		if errors.As(err, &pe) {
			cause = pe.Err // the path is named below, once
		}
		return fmt.Errorf("the %s %s is not writable (%v): minimall cannot serve from it; make it writable (check its mount, permissions and free space) and start again", what, dir, cause)
	}
	return nil
}

// probeWrite is a variable so a test can stand for a read-only mount,
// which root, who runs CI, cannot be denied by permissions alone.
var probeWrite = func(dir string) error {
	f, err := os.CreateTemp(dir, ".minimall-probe-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write([]byte{0})
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
