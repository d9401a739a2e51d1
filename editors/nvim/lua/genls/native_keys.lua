-- The plugin's keys for Neovim's own inline completion (0.12+), so that `keymaps` means the
-- same with either renderer. Each key acts only while a suggestion is shown; otherwise it
-- does what it always does (<Tab> indents), unless a next edit is shown (<Tab> takes it).
local suggestion_text = require("genls.suggestion_text")

local M = {}

--- Accepts the shown suggestion, or only the part `cut` takes of it; false if none is shown.
local function accept(cut)
  if not cut then
    return vim.lsp.inline_completion.get()
  end
  return vim.lsp.inline_completion.get({
    on_accept = function(item)
      if type(item.insert_text) ~= "string" then
        return item -- a snippet goes in whole
      end
      local part = cut(item.insert_text)
      if part == item.insert_text then
        return item
      end
      local partial = {}
      for key, value in pairs(item) do
        partial[key] = value
      end
      partial.insert_text = part
      -- The accept command tells the server the whole suggestion was taken: not so here.
      partial.command = nil
      return partial
    end,
  })
end

local function select(count)
  return function()
    vim.lsp.inline_completion.select({ count = count })
    return true
  end
end

M.ACTIONS = {
  accept = function()
    return accept(nil)
  end,
  accept_word = function()
    return accept(suggestion_text.next_word)
  end,
  accept_line = function()
    return accept(suggestion_text.next_line)
  end,
  next = select(1),
  prev = select(-1),
}

--- Maps the configured keys in insert mode (globally: the built-in client is not per buffer).
---@param keymaps table<string, string|false>
function M.map(keymaps)
  for name, action in pairs(M.ACTIONS) do
    local lhs = keymaps[name]
    if lhs and lhs ~= "" then
      vim.keymap.set("i", lhs, function()
        if not action() then
          return require("genls.next_edit").key_or(name, lhs)
        end
      end, { expr = true, silent = true, desc = "genls: " .. name })
    end
  end
end

return M
