-- A pandoc custom writer: the HTML of several chapters in one pandoc process, each written as
-- if it were converted alone (as Quarto converts each page). pandoc numbers code blocks (cb1,
-- cb2, ...) and collects footnotes per document: written as one document, a chapter's ids would
-- depend on the chapters before it in the batch, and every footnote would land in the last one.
--
-- The input's blocks are the chapters, separated by an HTML comment block whose text is the
-- metadata field `litbuild-split`; the output is their HTML, separated by the same comment.

function Writer(doc, opts)
  local marker = '<!--' .. pandoc.utils.stringify(doc.meta['litbuild-split']) .. '-->'
  local pages, blocks = {}, pandoc.Blocks {}
  local function flush()
    pages[#pages + 1] = pandoc.write(pandoc.Pandoc(blocks), 'html5', opts)
    blocks = pandoc.Blocks {}
  end
  for _, block in ipairs(doc.blocks) do
    if block.t == 'RawBlock' and block.format == 'html' and block.text == marker then
      flush()
    else
      blocks:insert(block)
    end
  end
  flush()
  return table.concat(pages, '\n' .. marker .. '\n')
end
