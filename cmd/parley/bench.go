package main

import (
	"context"
	"io"

	"github.com/parleychat/parley/internal/bench"
)

func benchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return bench.Main(ctx, args, stdout, stderr)
}
