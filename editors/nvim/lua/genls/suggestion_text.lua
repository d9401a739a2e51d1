-- The parts of a suggestion that accept-word and accept-line take, for both renderers.
local M = {}

--- The next word (a line break takes the next line's indentation along).
---@param text string
---@return string
function M.next_word(text)
  return text:match("^\n[ \t]*")
    or text:match("^[ \t]*[%w_]+")
    or text:match("^[ \t]*[^%w_%s]+")
    or text:match("^%s+")
    or text
end

--- The rest of the line, or the next line when the suggestion starts with a line break.
---@param text string
---@return string
function M.next_line(text)
  local first = text:match("^[^\n]*")
  return first ~= "" and first or text:match("^\n[^\n]*")
end

return M
