module example.com/private-dep

go 1.24

require git.onbuild.test/private/lib.git v1.0.0
