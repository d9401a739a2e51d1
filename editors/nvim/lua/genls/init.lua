-- genls for Neovim: starts the genls language server per workspace, shows its inline
-- completions as ghost text (natively on Neovim >= 0.12, with this plugin's renderer before)
-- and previews its next-edit suggestions (genls.next_edit).
local M = {}

M.defaults = {
  cmd = { "genls", "serve" },
  filetypes = {
    "python", "javascript", "typescript", "typescriptreact", "javascriptreact",
    "go", "rust", "lua", "c", "cpp", "java", "ruby",
  },
  root_markers = { ".git", "pyproject.toml", "package.json", "go.mod", "Cargo.toml" },
  -- Sent as initializationOptions.genls: model, maxTokens, threads, ... (see genls docs).
  settings = {},
  debounce_ms = 75,
  -- A key set to false is left unmapped. `accept` also takes a next edit (insert and normal
  -- mode); `dismiss_next_edit` hides one in normal mode (both mapped only while one shows).
  keymaps = {
    accept = "<Tab>",
    accept_word = "<C-Right>",
    accept_line = "<C-l>",
    next = "<M-]>",
    prev = "<M-[>",
    dismiss = "<C-]>",
    dismiss_next_edit = "<Esc>",
  },
  -- Next-edit suggestions (genls/nextEdit): asked `delay_ms` after the last edit; previewed
  -- in place when within `near_lines` of the cursor, else hinted at the cursor's line.
  -- `enabled = false` (or `next_edit = false`) turns them off.
  next_edit = {
    enabled = true,
    delay_ms = 500,
    near_lines = 10,
  },
  -- "auto": Neovim's own inline completion where it exists (0.12+), else this plugin's.
  -- "plugin": always this plugin's. "off": no ghost text (the server still serves completion).
  ghost_text = "auto",
}

---@type table? The merged options once setup() ran.
M.config = nil

--- Merges user options over the defaults. Lists (cmd, filetypes, ...) are replaced whole:
--- merging them index by index would mix the user's list with the tail of ours.
local function merge(defaults, opts)
  local result = vim.deepcopy(defaults)
  for key, value in pairs(opts or {}) do
    if type(value) == "table" and type(result[key]) == "table" and not vim.islist(value) then
      result[key] = vim.tbl_extend("force", result[key], value)
    else
      result[key] = value
    end
  end
  return result
end

--- Which ghost text renderer `ghost_text` selects on this Neovim: "native", "plugin" or "off".
---@return "native"|"plugin"|"off"
function M.ghost_mode()
  local mode = (M.config or M.defaults).ghost_text
  if mode == "off" then
    return "off"
  end
  local native = vim.lsp.inline_completion ~= nil and vim.lsp.inline_completion.enable ~= nil
  if mode == "auto" and native then
    return "native"
  end
  if mode == "auto" or mode == "plugin" then
    return "plugin"
  end
  vim.notify(("genls: unknown ghost_text %q, using \"auto\""):format(tostring(mode)),
    vim.log.levels.WARN)
  return native and "native" or "plugin"
end

--- Starts (or reuses) the genls client for `bufnr`'s workspace and attaches it.
---@param bufnr integer?
---@return integer? client_id
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local config = M.config or M.defaults
  -- Special buffers (help, terminals, scratch) have no file for the server to read.
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  -- vim.lsp.start reuses a running client with the same name and root_dir, so this starts
  -- one server per workspace, lazily, when the first matching file opens.
  return vim.lsp.start({
    name = "genls",
    cmd = config.cmd,
    root_dir = vim.fs.root(bufnr, config.root_markers) or vim.fn.getcwd(),
    init_options = { genls = config.settings },
  }, { bufnr = bufnr })
end

---@param opts table?
function M.setup(opts)
  if vim.fn.has("nvim-0.10") == 0 then
    vim.notify("genls: Neovim 0.10 or newer is required", vim.log.levels.ERROR)
    return
  end
  M.config = merge(M.defaults, opts)
  local config = M.config

  local group = vim.api.nvim_create_augroup("genls", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    desc = "genls: start the language server for this workspace",
    callback = function(args)
      M.start(args.buf)
    end,
  })

  local mode = M.ghost_mode()
  if mode == "native" then
    vim.lsp.inline_completion.enable(true)
    require("genls.native_items").setup(group)
    require("genls.native_keys").map(config.keymaps)
  elseif mode == "plugin" then
    require("genls.ghost").setup(config, group)
  end
  require("genls.next_edit").setup(config, group, mode)
  require("genls.cursor").setup(group)
  require("genls.status").setup(group)
  require("genls.commands").setup()

  -- setup() may run after files were opened (lazy loading): start for those too.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr)
      and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

--- A short status line string, "genls: <model> 120ms"; "" when no server runs. Never blocks.
---@return string
function M.statusline()
  return require("genls.status").statusline()
end

return M
