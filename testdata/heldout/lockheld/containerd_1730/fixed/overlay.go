package fixed

import (
	"context"
	"path/filepath"
)

type snapshotter struct {
	root      string
	ms        *MetaStore
	diskUsage func(path string) (Usage, error)
}

func (o *snapshotter) upperPath(id string) string {
	return filepath.Join(o.root, "snapshots", id, "fs")
}

// Usage returns the resources taken by the snapshot identified by key.
func (o *snapshotter) Usage(ctx context.Context, key string) (Usage, error) {
	ctx, t, err := o.ms.TransactionContext(ctx, false)
	if err != nil {
		return Usage{}, err
	}
	id, info, usage, err := GetInfo(ctx, key)
	if err != nil {
		t.Rollback()
		return Usage{}, err
	}
	upperPath := o.upperPath(id)
	t.Rollback() // transaction no longer needed at this point.

	if info.Kind == 1 { // active: compute the usage on disk
		du, err := o.diskUsage(upperPath)
		if err != nil {
			return Usage{}, err
		}
		usage = du
	}
	return usage, nil
}

// Commit turns the active snapshot key into a committed one named name.
func (o *snapshotter) Commit(ctx context.Context, name, key string) error {
	ctx, t, err := o.ms.TransactionContext(ctx, true)
	if err != nil {
		return err
	}
	id, _, _, err := GetInfo(ctx, key)
	if err != nil {
		t.Rollback()
		return err
	}
	usage, err := o.diskUsage(o.upperPath(id))
	if err != nil {
		t.Rollback()
		return err
	}
	if _, err := CommitActive(ctx, key, name, usage); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}
