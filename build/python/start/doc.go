// Package start is how a Python app starts, decided at build time: a
// Procfile, BP_LAUNCH_COMMAND, a Django project's application or a WSGI or
// ASGI callable on the web server the venv has (each imported in the venv
// to check it), Django's collectstatic, and the supervisor every process
// runs under. onbuild/python calls it after the venv is ready.
package start
