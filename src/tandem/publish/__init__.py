"""Publishing: the HTML pages an editor puts on the site.

:mod:`tandem.publish.site` decides which pages an article gets and how they
link to each other; :mod:`tandem.publish.html` renders them with Jinja2.
"""
