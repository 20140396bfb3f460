package layer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CopyFile puts a file a buildpack ships (a container-start program from
// its bin/, a hook from outside the app) into a layer with the permissions
// perm, creating the folders on the way.
func CopyFile(from, to string, perm os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("unable to open %s\n%w", from, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0755); err != nil {
		return fmt.Errorf("unable to create %s\n%w", filepath.Dir(to), err)
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return fmt.Errorf("unable to create %s\n%w", to, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("unable to copy %s to %s\n%w", from, to, err)
	}
	return out.Close()
}
