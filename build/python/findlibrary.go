package python

import (
	"fmt"
	"os"
	"path/filepath"
)

// findLibraryModule makes ctypes.util.find_library search LD_LIBRARY_PATH
// and the loader's default folders when its own search finds nothing. On Linux it asks ldconfig's cache,
// then gcc, then ld: the run image has none of them, so a library in a
// launch layer (libpq for psycopg 3, GDAL and GEOS for GeoDjango) is
// never found although the loader would load it; nor is libc itself,
// which psycopg 3 asks for too. It patches ctypes.util
// only when something imports it, so other programs pay nothing at start.
const findLibraryModule = `"""onbuild: ctypes.util.find_library also searches LD_LIBRARY_PATH and
the loader's own folders, as ldconfig's cache would."""
import os
import sys


def _folders():
    folders = os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep)
    multiarch = getattr(sys.implementation, "_multiarch", "")
    for base in ("/lib", "/usr/lib"):
        if multiarch:
            folders.append(base + "/" + multiarch)
        folders.append(base)
    return folders


def _search(name):
    prefix = "lib%s.so" % name
    for folder in _folders():
        try:
            entries = os.listdir(folder) if folder else []
        except OSError:
            continue
        # The soname (libpq.so.5), as ldconfig would answer: the shortest
        # versioned name, else the unversioned one.
        versioned = sorted((e for e in entries if e.startswith(prefix + ".")), key=lambda e: (len(e), e))
        if versioned:
            return versioned[0]
        if prefix in entries:
            return prefix
    return None


def _patch(module):
    original = module.find_library

    def find_library(name):
        return original(name) or _search(name)

    find_library.__doc__ = original.__doc__
    module.find_library = find_library


class _Hook:
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "ctypes.util":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def patched(module):
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = patched
        return spec


if "ctypes.util" in sys.modules:
    _patch(sys.modules["ctypes.util"])
else:
    sys.meta_path.insert(0, _Hook())
`

// WriteFindLibrary puts the module and the .pth file that imports it at
// interpreter start into the venv's site-packages. It runs every build, so
// a venv reused from the cache has it too.
func WriteFindLibrary(venvDir string) error {
	sites, err := filepath.Glob(filepath.Join(venvDir, "lib", "python*", "site-packages"))
	if err != nil {
		return err
	}
	for _, site := range sites {
		if err := os.WriteFile(filepath.Join(site, "_onbuild_find_library.py"), []byte(findLibraryModule), 0644); err != nil {
			return fmt.Errorf("unable to write the find_library hook\n%w", err)
		}
		if err := os.WriteFile(filepath.Join(site, "_onbuild_find_library.pth"), []byte("import _onbuild_find_library\n"), 0644); err != nil {
			return fmt.Errorf("unable to write the find_library hook\n%w", err)
		}
	}
	return nil
}
