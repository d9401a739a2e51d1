-- Keeps Neovim's own inline completion (0.12+) to ghost text at the cursor. genls may answer
-- `textDocument/inlineCompletion` with an item that replaces text near the cursor (its next
-- edit, an LSP 3.18 replace range); the built-in renderer would draw it over that text, or
-- not at all when it starts before the cursor on the cursor's line, and <Tab> would then
-- replace text the user cannot see. Those items are dropped from the genls client's answers:
-- genls.next_edit previews the same edit where it applies.
--
-- The built-in client passes its own handler to client:request, so the filter wraps that
-- method of the genls client (only for this one request; everything else passes through).
local lsp = require("genls.lsp")

local M = {}

local METHOD = "textDocument/inlineCompletion"

--- The result without the items that are not ghost text at `position`.
local function at_cursor_only(result, position)
  local list = result.items or result
  local kept = {}
  for _, item in ipairs(list) do
    if lsp.at_cursor(item, position) then
      table.insert(kept, item)
    end
  end
  if result.items then
    local copy = vim.deepcopy(result)
    copy.items = kept
    return copy
  end
  return kept
end

---@param client vim.lsp.Client
local function filter(client)
  if client._genls_ghost_items_only then
    return
  end
  client._genls_ghost_items_only = true
  local request = client.request
  client.request = function(self, method, params, handler, ...)
    if method == METHOD and type(handler) == "function" and params and params.position then
      local inner, position = handler, params.position
      handler = function(err, result, ...)
        if type(result) == "table" then
          result = at_cursor_only(result, position)
        end
        return inner(err, result, ...)
      end
    end
    return request(self, method, params, handler, ...)
  end
end

---@param group integer the plugin's augroup
function M.setup(group)
  lsp.on_genls_buffers(group, function(bufnr)
    local client = lsp.client(bufnr)
    if client then
      filter(client)
    end
  end)
end

return M
