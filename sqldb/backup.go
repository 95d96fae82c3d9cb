package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"minimall"
)

// BackupTo writes a consistent copy of an SQLite database to path with
// VACUUM INTO, while the platform keeps serving: the copy is one snapshot,
// with no WAL beside it. path must not exist yet, so a backup never
// overwrites another. PostgreSQL is backed up with pg_dump instead.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	const op = "sqldb.BackupTo"
	if db.dialect == Postgres {
		return minimall.Errorf(minimall.Invalid, op,
			"PostgreSQL is backed up with pg_dump -Fc (and the key store database separately), not by minimall. PostgreSQL 请使用 pg_dump -Fc 备份（密钥库数据库单独备份）。")
	}
	if _, err := os.Stat(path); err == nil {
		return minimall.Errorf(minimall.Conflict, op, "The backup file exists already; choose an empty folder. 备份文件已存在，请选择空文件夹。")
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%s: create backup folder: %w", op, err)
	}
	// The write connection, so the snapshot includes every committed write.
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: vacuum into: %w", op, err)
	}
	return os.Chmod(path, 0o600)
}
