"""Thin views: parse the request, ask rules for the object, call one function, render."""
