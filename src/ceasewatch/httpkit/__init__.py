"""What the API and the web pages share over HTTP: errors as JSON, the query parameters
of times and boxes, and the live event stream. Neither imports the other; both import this.
"""
