-- Tells the server where the cursor comes to rest (`genls/didMoveCursor`), so that it prefills
-- the prompt there before the first keystroke. Works with either ghost text renderer.
--
-- Moves that come with an edit (typing) are not reported: the inline completion request each
-- keystroke makes already says where the cursor is. A move is typing when the buffer's
-- changedtick changed since its previous move; that needs no timing guesses.
local lsp = require("genls.lsp")

local M = {}

M.NOTIFICATION = "genls/didMoveCursor"
-- How long the cursor must stay put before it is reported (held arrow keys move it often).
local REST_MS = 250

local ticks = {} -- bufnr -> changedtick at its last cursor move
local timer = nil

local function report(bufnr, tick)
  if not vim.api.nvim_buf_is_valid(bufnr) or bufnr ~= vim.api.nvim_get_current_buf()
    or vim.b[bufnr].changedtick ~= tick then
    return
  end
  local client = lsp.client(bufnr)
  if not client then
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  lsp.notify(client, M.NOTIFICATION, params)
end

local function moved(bufnr)
  local tick = vim.b[bufnr].changedtick
  local previous = ticks[bufnr]
  ticks[bufnr] = tick
  if timer then
    timer:stop()
  end
  if previous ~= nil and previous ~= tick then
    return -- typing
  end
  timer = timer or vim.uv.new_timer()
  timer:start(REST_MS, 0, vim.schedule_wrap(function()
    report(bufnr, tick)
  end))
end

--- Reports the cursor of `bufnr` while genls is attached to it.
function M.attach(bufnr)
  local group = vim.api.nvim_create_augroup("genls_cursor_" .. bufnr, { clear = true })
  vim.api.nvim_create_autocmd({ "CursorMoved", "CursorMovedI", "BufEnter" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      moved(bufnr)
    end,
  })
  vim.api.nvim_create_autocmd({ "BufUnload", "BufWipeout" }, {
    group = group,
    buffer = bufnr,
    callback = function()
      M.detach(bufnr)
    end,
  })
  if bufnr == vim.api.nvim_get_current_buf() then
    moved(bufnr) -- the cursor is already somewhere: the file was just opened
  end
end

function M.detach(bufnr)
  pcall(vim.api.nvim_del_augroup_by_name, "genls_cursor_" .. bufnr)
  ticks[bufnr] = nil
end

---@param group integer the plugin's augroup
function M.setup(group)
  lsp.on_genls_buffers(group, M.attach, M.detach)
end

return M
