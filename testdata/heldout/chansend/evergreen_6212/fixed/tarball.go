// Package fixed is the fixed version of chansend/evergreen_6212: the
// archiving goroutine's send also selects on the task's context, so it
// returns when Execute has stopped waiting.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Logger is the agent's task logger.
type Logger interface {
	Infof(format string, args ...any)
	Warning(msg string)
}

// Config is the task configuration the command needs.
type Config struct {
	TaskID     string
	WorkingDir string
}

// Archiver writes the tarball; it returns the number of files archived.
type Archiver interface {
	MakeArchive(ctx context.Context, target, sourceDir string, include, exclude []string) (int, error)
}

const (
	retryError = "index > windowEnd"
	maxRetries = 1
)

type tarballCreate struct {
	Target       string
	SourceDir    string
	Include      []string
	ExcludeFiles []string
	Attempt      int

	archiver Archiver
}

func (c *tarballCreate) Name() string { return "archive.targz_pack" }

// ParseParams checks the command's parameters.
func (c *tarballCreate) ParseParams() error {
	if c.Target == "" {
		return errors.New("target cannot be blank")
	}
	if c.SourceDir == "" {
		return errors.New("source directory cannot be blank")
	}
	if len(c.Include) == 0 {
		return errors.New("include cannot be empty")
	}
	return nil
}

// Execute builds the archive.
func (c *tarballCreate) Execute(ctx context.Context, logger Logger, conf *Config) error {
	if !filepath.IsAbs(c.SourceDir) {
		c.SourceDir = filepath.Join(conf.WorkingDir, c.SourceDir)
	}
	if !filepath.IsAbs(c.Target) {
		c.Target = filepath.Join(conf.WorkingDir, c.Target)
	}

	errChan := make(chan error)
	filesArchived := -1
	go func() {
		var err error
		filesArchived, err = c.archiver.MakeArchive(ctx, c.Target, c.SourceDir, c.Include, c.ExcludeFiles)
		select {
		case errChan <- err:
		case <-ctx.Done():
			logger.Infof("Context canceled waiting for archive creation: %s.", ctx.Err())
		}
	}()

	select {
	case err := <-errChan:
		if err != nil {
			if c.Attempt < maxRetries && strings.Contains(err.Error(), retryError) {
				c.Attempt++
				logger.Infof("Retrying command '%s' due to error: %s.", c.Name(), err.Error())
				return c.Execute(ctx, logger, conf)
			}
			return err
		}
		if filesArchived == 0 {
			logger.Warning("No files were archived.")
			if deleteErr := os.Remove(c.Target); deleteErr != nil {
				logger.Infof("Problem deleting empty archive: %s.", deleteErr.Error())
			}
		}
		return nil
	case <-ctx.Done():
		logger.Infof("%s", fmt.Sprintf("received signal to terminate execution of command '%s' (task %s)", c.Name(), conf.TaskID))
		return nil
	}
}
