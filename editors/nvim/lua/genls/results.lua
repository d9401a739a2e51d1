-- How the answers of genls's commands reach the user: a one-line message, files the server
-- wrote (opened with :edit), or a document it wrote (markdown, a commit message) in a scratch
-- buffer. Edits to the code itself are not here: they arrive as workspace/applyEdit, which
-- Neovim applies natively.
local M = {}

local function notify(message, level)
  vim.notify(message, level or vim.log.levels.INFO)
end

--- The scratch buffer named `name` (reused if it exists), shown in a split; returns it.
---@param name string e.g. "genls://changelog"
---@param filetype string
---@return integer bufnr
function M.scratch(name, filetype)
  local bufnr
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == name then
      bufnr = b
    end
  end
  if not bufnr then
    bufnr = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(bufnr, name)
  end
  -- Every time: :bdelete and the like may have reset them.
  vim.bo[bufnr].buftype = "nofile"
  vim.bo[bufnr].bufhidden = "hide"
  vim.bo[bufnr].swapfile = false
  vim.bo[bufnr].filetype = filetype
  if vim.fn.bufwinid(bufnr) == -1 then
    vim.cmd("botright split")
    vim.api.nvim_win_set_buf(0, bufnr)
  end
  return bufnr
end

--- Replaces a scratch buffer's text; it stays read-only unless `editable` (a commit message
--- is meant to be edited and copied).
function M.set_lines(bufnr, lines, editable)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return
  end
  vim.bo[bufnr].modifiable = true
  vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
  vim.bo[bufnr].modifiable = editable == true
end

--- Shows `text` in the scratch buffer `name`.
function M.document(name, filetype, text, editable)
  local bufnr = M.scratch(name, filetype)
  M.set_lines(bufnr, vim.split(text, "\n", { plain = true }), editable)
  return bufnr
end

-- Files a buffer shows usefully; the rest (png, wav, mid) go to the system's viewer.
local TEXT_SUFFIXES = { mmd = true, dot = true, svg = true, md = true, json = true, txt = true }

--- Opens a file the server wrote. The server creates text files through applyEdit, which
--- leaves them as modified buffers: written here, since a generated file belongs on disk.
function M.open(uri)
  local path = vim.uri_to_fname(uri)
  if not TEXT_SUFFIXES[path:match("%.(%w+)$") or ""] and vim.ui.open then
    vim.ui.open(path)
    return
  end
  vim.cmd.edit(vim.fn.fnameescape(path))
  if vim.bo.modified then
    vim.cmd("silent update")
  end
end

local function count(list)
  return type(list) == "table" and #list or 0
end

--- The one-line summary of an edit command's answer (genls.docstring, documentFile,
--- refactor); nil when the server applied nothing and already said why (window/showMessage).
---@param title string what ran, e.g. "docstring"
---@return string? message, integer? level
function M.edit_summary(title, result)
  if type(result) ~= "table" then
    return nil
  end
  if result.applied == false then
    if type(result.message) == "string" then
      return nil -- the server's own warning already said it
    end
    if count(result.failed) > 0 then
      return nil
    end
    return ("genls: %s: the edit was not applied (the buffer changed meanwhile?)"):format(title),
      vim.log.levels.WARN
  end
  if type(result.name) == "string" then
    return ("genls: %s for %s"):format(title, result.name)
  end
  if type(result.documented) == "table" then
    return ("genls: documented %d (%s)"):format(#result.documented,
      table.concat(result.documented, ", "))
  end
  if type(result.lines) == "table" and result.lines[1] then
    return ("genls: %s applied to lines %d-%d"):format(title, result.lines[1] + 1,
      (result.lines[2] or result.lines[1]) + 1)
  end
  return ("genls: %s done"):format(title)
end

--- Shows a command's answer as its `view` says:
---   "edit"     a summary of an edit the server applied (docstring, refactor)
---   "file"     open result.uri (diagrams, generated assets)
---   "markdown" result.markdown in a scratch buffer (changelog, history), or the file the
---              server edited when asked to apply (the changelog's CHANGELOG.md)
---   "commit"   result.message in an editable gitcommit scratch buffer
---@param view "edit"|"file"|"markdown"|"commit"
---@param title string
function M.show(view, title, result)
  if view == "edit" then
    local message, level = M.edit_summary(title, result)
    if message then
      notify(message, level)
    end
    return
  end
  if type(result) ~= "table" then
    notify(("genls: %s returned nothing"):format(title), vim.log.levels.WARN)
  elseif view == "file" and type(result.uri) == "string" then
    M.open(result.uri)
    local extra = count(result.uris) > 1 and (" (+%d more)"):format(#result.uris - 1) or ""
    notify(("genls: %s: %s%s"):format(title, vim.fn.fnamemodify(
      vim.uri_to_fname(result.uri), ":~:."), extra))
  elseif view == "markdown" and result.applied == true and type(result.uri) == "string" then
    -- Edited into the workspace's file (CHANGELOG.md): shown modified, for review and :write.
    local bufnr = vim.uri_to_bufnr(result.uri)
    vim.fn.bufload(bufnr)
    vim.api.nvim_win_set_buf(0, bufnr)
    notify(("genls: %s: %s (review, then :write)"):format(title,
      vim.fn.fnamemodify(vim.uri_to_fname(result.uri), ":~:.")))
  elseif view == "markdown" and type(result.markdown) == "string" then
    if result.applied == false then
      notify(("genls: %s: the edit was not applied"):format(title), vim.log.levels.WARN)
    end
    M.document("genls://" .. title, "markdown", result.markdown)
  elseif view == "commit" and type(result.message) == "string" then
    M.document("genls://commit-message", "gitcommit", result.message, true)
  else
    notify(("genls: %s: unexpected answer %s"):format(title, vim.inspect(result)),
      vim.log.levels.WARN)
  end
end

return M
