# What an app using the ONBUILD base writes: one line.
FROM onbuild/bench-python-onbuild
