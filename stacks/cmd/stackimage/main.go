// Command stackimage writes a stack image for `docker load` from a root
// filesystem tar and the config settings stacks/build.sh gives it:
//
//	stackimage -layer rootfs.tar -tag onbuild/stack-build:trixie \
//	  -created 2026-11-20T10:00:00Z -user 1000:1000 -env PATH=... \
//	  -label io.buildpacks.stack.id=... -o image.tar
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/onbuild-buildpacks/onbuild/stacks/image"
)

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "stackimage: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var (
		spec        image.Spec
		env, labels list
		cmd         list
		created     string
		tag, out    string
		flags       = flag.NewFlagSet("stackimage", flag.ContinueOnError)
	)
	flags.StringVar(&spec.Layer, "layer", "", "the root filesystem, an uncompressed tar")
	flags.StringVar(&created, "created", "", "creation time, RFC 3339")
	flags.StringVar(&spec.Architecture, "arch", "amd64", "architecture")
	flags.StringVar(&spec.User, "user", "", "user:group the image runs as")
	flags.StringVar(&spec.WorkingDir, "workdir", "", "working directory")
	flags.StringVar(&spec.CreatedBy, "history", "", "the history entry's created_by")
	flags.Var(&env, "env", "NAME=VALUE of the environment (repeatable)")
	flags.Var(&labels, "label", "NAME=VALUE label (repeatable)")
	flags.Var(&cmd, "cmd", "an element of the default command (repeatable)")
	flags.StringVar(&tag, "tag", "", "the image's tag")
	flags.StringVar(&out, "o", "", "the docker load tarball to write")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if tag == "" || out == "" || created == "" {
		return fmt.Errorf("-tag, -o and -created are required")
	}
	t, err := time.Parse(time.RFC3339, created)
	if err != nil {
		return fmt.Errorf("-created %q is not an RFC 3339 time: %v", created, err)
	}
	spec.Created = t
	spec.Env = env
	spec.Cmd = cmd
	if spec.Labels, err = image.ParsePairs(labels); err != nil {
		return fmt.Errorf("-label: %v", err)
	}
	img, err := image.Build(spec)
	if err != nil {
		return err
	}
	return image.Write(out, tag, img)
}
