"""Articles in: the article files of a folder (:mod:`.scan`), decoded, with title, date and
page furniture blanked (:mod:`.corpus`); adding articles to a corpus folder and watching it."""

from mapper.read.corpus import Problem, read_article, read_corpus

__all__ = ["Problem", "read_article", "read_corpus"]
