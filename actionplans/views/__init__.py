"""Thin views: parse the request, ask rules for the object, call one function, render."""


def posted(request):
    """The submitted form data, or None so that a form shown by GET is unbound."""
    return request.POST if request.method == "POST" else None
