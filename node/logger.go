package node

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger builds the node's logger from its log settings.
func newLogger(s LogSettings, w io.Writer) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(s.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.ToLower(s.Format) == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
