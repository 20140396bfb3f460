FROM onbuild/bench-go-onbuild
