package main

const greeting = "hello from onbuild"
